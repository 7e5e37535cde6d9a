"""The peer for the start-up benchmark: a Lambda custom runtime in Python 3 that does what
the original pattern's handler does at import (import boto3, create the DynamoDB and SNS
clients), then serves invocations from the Lambda Runtime API: each store-route record
becomes one PutItem, as in the original pattern, and the batch is answered with no
failures. The benchmark measures start-up and the first message, not the handler's logic."""

import json
import os
import random
import urllib.request

import boto3  # noqa: E402  (the import is the cost being measured)

dynamodb = boto3.client("dynamodb")
sns = boto3.client("sns")
TABLE_NAME = os.environ["TABLE_NAME"]
TOPIC_ARN = os.environ["TOPIC_ARN"]

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation"

while True:
    with urllib.request.urlopen(API + "/next") as resp:
        request_id = resp.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(resp.read())
    for record in event["Records"]:
        if json.loads(record["body"]).get("Insert") == "DynamoDB":
            dynamodb.put_item(TableName=TABLE_NAME, Item={
                "id": {"S": record["messageId"]},
                "random_value": {"N": str(random.randint(1, 100))},
            })
    result = json.dumps({"batchItemFailures": []}).encode()
    urllib.request.urlopen(urllib.request.Request(API + f"/{request_id}/response", data=result, method="POST")).read()
