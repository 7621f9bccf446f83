output "certificate_arn" {
  description = "ACM certificate of the hostname (cluster-values certificateArn)."
  value       = aws_acm_certificate.hostname.arn
}

output "dns_records" {
  description = "The record that validates the certificate; the service's own record is a CNAME to the ALB once the Ingress exists."
  value = [for o in aws_acm_certificate.hostname.domain_validation_options : {
    name = o.resource_record_name
    type = o.resource_record_type
    data = o.resource_record_value
  }]
}
