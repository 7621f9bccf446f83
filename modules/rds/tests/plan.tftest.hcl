# Plan with mocked providers (no cloud). `just validate-infra` runs this file where the providers
# are installed (it prints CANNOT RUN otherwise); the PR pipeline always runs it.

mock_provider "aws" {}
mock_provider "random" {}

override_module {
  target = module.postgres
  outputs = {
    db_instance_address                = "comments-staging.abc.eu-west-1.rds.amazonaws.com"
    db_instance_port                   = 5432
    db_instance_master_user_secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds-master-AbCdEf"
  }
}

variables {
  identifier               = "comments-staging"
  environment              = "staging"
  vpc_id                   = "vpc-0123"
  db_subnet_group_name     = "comments-staging"
  client_security_group_id = "sg-0123"
  instance_class           = "db.t4g.medium"
}

run "plans" {
  command = plan
}
