# RDS for PostgreSQL 17: isolated subnets, reachable only from the EKS nodes' security group,
# encrypted, TLS forced, backups with point-in-time recovery, Multi-AZ and deletion protection
# as the environment asks. The master password is generated and rotated by RDS in Secrets
# Manager (never seen by Terraform). The service's own URL secret is written write-only.

locals {
  secret_name = "comments-api-${var.environment}-database-url"
}

resource "aws_security_group" "database" {
  name        = "${var.identifier}-postgres"
  description = "PostgreSQL, reachable from the EKS nodes only"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "from_nodes" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the EKS nodes"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = var.client_security_group_id
}

module "postgres" {
  source  = "terraform-aws-modules/rds/aws"
  version = "~> 6.12"

  identifier           = var.identifier
  engine               = "postgres"
  engine_version       = "17"
  family               = "postgres17"
  major_engine_version = "17"
  instance_class       = var.instance_class

  allocated_storage     = var.allocated_storage_gb
  max_allocated_storage = var.max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true

  db_name                     = var.database_name
  username                    = "comments_admin"
  port                        = 5432
  manage_master_user_password = true

  multi_az               = var.multi_az
  db_subnet_group_name   = var.db_subnet_group_name
  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false

  backup_retention_period          = var.backup_retention_days
  backup_window                    = "02:00-03:00"
  maintenance_window               = "Sun:03:30-Sun:04:30"
  copy_tags_to_snapshot            = true
  deletion_protection              = var.deletion_protection
  skip_final_snapshot              = !var.deletion_protection
  final_snapshot_identifier_prefix = "${var.identifier}-final"

  iam_database_authentication_enabled   = true
  performance_insights_enabled          = true
  performance_insights_retention_period = 7
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  create_cloudwatch_log_group           = true

  parameters = [
    { name = "rds.force_ssl", value = "1" },
    { name = "log_min_duration_statement", value = "500" },
  ]

  tags = var.tags
}

ephemeral "random_password" "app" {
  length  = 40
  special = false
}

#trivy:ignore:AVD-AWS-0098 the AWS-managed Secrets Manager key suffices: access is gated by IAM (one role may read), a CMK adds cost and key policy upkeep without narrowing who can read
resource "aws_secretsmanager_secret" "database_url" {
  name                    = local.secret_name
  description             = "APP_DATABASE__URL of comments-api (${var.environment})"
  recovery_window_in_days = var.deletion_protection ? 30 : 0
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id                = aws_secretsmanager_secret.database_url.id
  secret_string_wo_version = var.password_version
  secret_string_wo = format(
    "postgres://%s:%s@%s:%d/%s?sslmode=require",
    var.app_user,
    ephemeral.random_password.app.result,
    module.postgres.db_instance_address,
    module.postgres.db_instance_port,
    var.database_name,
  )
}
