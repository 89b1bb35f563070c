"""Adapters to AWS: DynamoDB through pynamodb, SQS and SES through boto3."""
