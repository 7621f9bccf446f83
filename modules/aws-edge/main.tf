# The TLS certificate of the public entry point: the ALB that the AWS Load Balancer Controller
# creates for the Ingress of environments/components/eks takes its ARN (cluster-values
# certificateArn). DNS-validated: create the validation record once (dns_records output).

resource "aws_acm_certificate" "hostname" {
  domain_name       = var.hostname
  validation_method = "DNS"
  key_algorithm     = "EC_prime256v1"
  tags              = var.tags

  lifecycle {
    create_before_destroy = true
  }
}
