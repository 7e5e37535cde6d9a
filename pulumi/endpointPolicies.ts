/**
 * The VPC endpoints' policies: what may pass through each endpoint the stack creates.
 * Without them any workload in the VPC could publish to any account's topics or reach any
 * table through the endpoints (an exfiltration path). Each allows only this stack's
 * resource, and the signed calls (SNS, DynamoDB) only from this account's principals.
 */

import { DEDUPE_TABLE_ACTIONS, type PolicyDocument } from "./policies";

/** A policy document serialised for a resource input. */
export type PolicyDocumentJson = string;

/** The IAM policy language version every document uses. */
const VERSION = "2012-10-17";

/**
 * The DynamoDB gateway endpoint: the Lambda's PutItem on the record table and its three
 * dedupe calls on the dedupe table, by this account.
 */
export function dynamodbEndpointPolicy(tableArn: string, idempotencyTableArn: string, accountId: string): PolicyDocument {
  const byThisAccount = { StringEquals: { "aws:PrincipalAccount": accountId } };
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: "StoreRecordsInThisTable",
        Effect: "Allow",
        Principal: "*",
        Action: "dynamodb:PutItem",
        Resource: tableArn,
        Condition: byThisAccount,
      },
      {
        Sid: "DedupeNotificationsInThisTable",
        Effect: "Allow",
        Principal: "*",
        Action: [...DEDUPE_TABLE_ACTIONS],
        Resource: idempotencyTableArn,
        Condition: byThisAccount,
      },
    ],
  };
}

/** The SNS interface endpoint: Publish to this topic, by this account. */
export function snsEndpointPolicy(topicArn: string, accountId: string): PolicyDocument {
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: "PublishToThisTopic",
        Effect: "Allow",
        Principal: "*",
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { StringEquals: { "aws:PrincipalAccount": accountId } },
      },
    ],
  };
}

/**
 * The execute-api interface endpoint: invoke this API and its private custom domain.
 * With authorization NONE the callers are anonymous, so no principal condition can
 * apply (`aws:PrincipalAccount` would refuse every request); with AWS_IAM it does.
 */
export function executeApiEndpointPolicy(
  executionArn: string,
  domainArn: string,
  accountIdOfSignedCallers?: string,
): PolicyDocument {
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: "InvokeThisApiAndDomain",
        Effect: "Allow",
        Principal: "*",
        Action: "execute-api:Invoke",
        Resource: [`${executionArn}/*`, domainArn],
        ...(accountIdOfSignedCallers
          ? { Condition: { StringEquals: { "aws:PrincipalAccount": accountIdOfSignedCallers } } }
          : {}),
      },
    ],
  };
}
