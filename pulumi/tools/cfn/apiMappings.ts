/**
 * API Gateway: the REST API (its policy folds in), resources, model, validator, methods
 * (their integration, method responses and integration responses fold in), gateway
 * responses, deployment, stage (its method settings fold in), the account, and the
 * private custom domain as DomainNameV2 / BasePathMappingV2 / DomainNameAccessAssociation.
 */

import { type Mapping, outputs } from "./mapping";
import { type CfnResource, defined, type Inputs, renamed, type RenderContext } from "./template";

/** The Method a split Pulumi part belongs to: same API, resource and HTTP method. */
function methodOf(i: Inputs, c: RenderContext): CfnResource {
  const restApi = c.ref(i.take("restApi"));
  const resourceId = c.ref(i.take("resourceId"));
  const httpMethod = i.take("httpMethod");
  const key = JSON.stringify([restApi, resourceId, httpMethod]);
  const found = Object.values(c.all()).find(
    (r) =>
      r.Type === "AWS::ApiGateway::Method" &&
      JSON.stringify([r.Properties.RestApiId, r.Properties.ResourceId, r.Properties.HttpMethod]) === key,
  );
  if (!found) throw new Error(`${i.resource.name}: no method ${key} to fold into`);
  return found;
}

export const API_MAPPINGS: Readonly<Record<string, Mapping>> = {
  "aws:apigateway/restApi:RestApi": {
    kind: "resource",
    type: "AWS::ApiGateway::RestApi",
    properties: (i, c) => {
      const endpoint = i.take("endpointConfiguration") as { types: string; vpcEndpointIds?: string[] };
      return {
        Name: c.logicalId(i.resource),
        Description: i.take("description"),
        EndpointConfiguration: defined({ Types: [endpoint.types], VpcEndpointIds: c.refs(endpoint.vpcEndpointIds) }),
      };
    },
    attributes: (r) => outputs(r, { rootResourceId: "RootResourceId" }),
  },
  "aws:apigateway/restApiPolicy:RestApiPolicy": {
    kind: "fold",
    fold: (i, c) => {
      c.resource(c.logicalIdOf(i.take("restApiId"))).Properties.Policy = c.policy(i.take("policy"), i.resource.name, "resource");
    },
  },
  "aws:apigateway/resource:Resource": {
    kind: "resource",
    type: "AWS::ApiGateway::Resource",
    properties: (i, c) => ({
      RestApiId: c.ref(i.take("restApi")),
      ParentId: c.ref(i.take("parentId")),
      PathPart: i.take("pathPart"),
    }),
  },
  "aws:apigateway/model:Model": {
    kind: "resource",
    type: "AWS::ApiGateway::Model",
    properties: (i, c) => ({
      RestApiId: c.ref(i.take("restApi")),
      Name: i.take("name"),
      ContentType: i.take("contentType"),
      Schema: JSON.parse(i.take("schema")),
    }),
    attributes: (r) => outputs(r, { name: "Ref" }),
  },
  "aws:apigateway/requestValidator:RequestValidator": {
    kind: "resource",
    type: "AWS::ApiGateway::RequestValidator",
    properties: (i, c) => ({
      RestApiId: c.ref(i.take("restApi")),
      Name: i.take("name"),
      ValidateRequestBody: i.take("validateRequestBody"),
      ValidateRequestParameters: i.take("validateRequestParameters"),
    }),
  },
  "aws:apigateway/method:Method": {
    kind: "resource",
    type: "AWS::ApiGateway::Method",
    properties: (i, c) => ({
      RestApiId: c.ref(i.take("restApi")),
      ResourceId: c.ref(i.take("resourceId")),
      HttpMethod: i.take("httpMethod"),
      AuthorizationType: i.take("authorization"),
      RequestParameters: i.take("requestParameters"),
      RequestModels: mapValues(i.take("requestModels"), c),
      RequestValidatorId: c.ref(i.take("requestValidatorId")),
    }),
  },
  "aws:apigateway/integration:Integration": {
    kind: "fold",
    fold: (i, c) => {
      const method = methodOf(i, c);
      const existing = (method.Properties.Integration ?? {}) as Record<string, unknown>;
      method.Properties.Integration = defined({
        ...existing,
        Type: i.take("type"),
        IntegrationHttpMethod: i.take("integrationHttpMethod"),
        Uri: i.take("uri"),
        Credentials: c.ref(i.take("credentials")),
        RequestParameters: i.take("requestParameters"),
        RequestTemplates: i.take("requestTemplates"),
        PassthroughBehavior: i.take("passthroughBehavior"),
      });
    },
  },
  "aws:apigateway/methodResponse:MethodResponse": {
    kind: "fold",
    fold: (i, c) => {
      const responses = (methodOf(i, c).Properties.MethodResponses ??= []) as unknown[];
      responses.push(defined({ StatusCode: i.take("statusCode"), ResponseParameters: i.take("responseParameters") }));
    },
  },
  "aws:apigateway/integrationResponse:IntegrationResponse": {
    kind: "fold",
    fold: (i, c) => {
      const method = methodOf(i, c);
      const integration = (method.Properties.Integration ??= {}) as Record<string, unknown>;
      const responses = (integration.IntegrationResponses ??= []) as unknown[];
      responses.push(
        defined({
          StatusCode: i.take("statusCode"),
          SelectionPattern: i.take("selectionPattern"),
          ContentHandling: i.take("contentHandling"),
          ResponseParameters: i.take("responseParameters"),
          ResponseTemplates: i.take("responseTemplates"),
        }),
      );
    },
  },
  "aws:apigateway/response:Response": {
    kind: "resource",
    type: "AWS::ApiGateway::GatewayResponse",
    properties: (i, c) => ({
      RestApiId: c.ref(i.take("restApiId")),
      ResponseType: i.take("responseType"),
      StatusCode: i.take("statusCode"),
      ResponseParameters: i.take("responseParameters"),
      ResponseTemplates: i.take("responseTemplates"),
    }),
  },
  "aws:apigateway/deployment:Deployment": {
    kind: "resource",
    type: "AWS::ApiGateway::Deployment",
    properties: (i, c) => {
      i.ignore("triggers", "Pulumi replaces the deployment when the fingerprint changes; CloudFormation has no trigger property");
      return { RestApiId: c.ref(i.take("restApi")), Description: i.take("description") };
    },
  },
  "aws:apigateway/stage:Stage": {
    kind: "resource",
    type: "AWS::ApiGateway::Stage",
    properties: (i, c) => {
      const logs = i.take("accessLogSettings") as { destinationArn: string; format: string };
      return {
        RestApiId: c.ref(i.take("restApi")),
        DeploymentId: c.ref(i.take("deployment")),
        StageName: i.take("stageName"),
        AccessLogSetting: { DestinationArn: c.ref(logs.destinationArn), Format: logs.format },
        TracingEnabled: i.take("xrayTracingEnabled"),
      };
    },
    attributes: (r) => outputs(r, { stageName: "Ref" }),
  },
  "aws:apigateway/methodSettings:MethodSettings": {
    kind: "fold",
    fold: (i, c) => {
      i.take("restApi");
      const stage = c.resource(c.logicalIdOf(i.take("stageName")));
      const [resourcePath, httpMethod] = (i.take("methodPath") as string).split("/");
      const settings = renamed(
        i.take("settings"),
        {
          throttlingRateLimit: "ThrottlingRateLimit",
          throttlingBurstLimit: "ThrottlingBurstLimit",
          metricsEnabled: "MetricsEnabled",
          loggingLevel: "LoggingLevel",
          dataTraceEnabled: "DataTraceEnabled",
        },
        i.resource.name,
      );
      stage.Properties.MethodSettings = [{ ResourcePath: `/${resourcePath}`, HttpMethod: httpMethod, ...settings }];
    },
  },
  "aws:apigateway/account:Account": {
    kind: "resource",
    type: "AWS::ApiGateway::Account",
    properties: (i, c) => ({ CloudWatchRoleArn: c.ref(i.take("cloudwatchRoleArn")) }),
  },
  "aws:apigateway/domainName:DomainName": {
    kind: "resource",
    type: "AWS::ApiGateway::DomainNameV2",
    properties: (i, c) => ({
      DomainName: i.take("domainName"),
      CertificateArn: i.take("certificateArn"),
      EndpointConfiguration: { Types: [(i.take("endpointConfiguration") as { types: string }).types] },
      SecurityPolicy: i.take("securityPolicy"),
      Policy: c.policy(i.take("policy"), i.resource.name, "resource"),
    }),
    attributes: (r) => outputs(r, { arn: "DomainNameArn", domainNameId: "DomainNameId" }),
  },
  "aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation": {
    kind: "resource",
    type: "AWS::ApiGateway::DomainNameAccessAssociation",
    properties: (i, c) => ({
      DomainNameArn: c.ref(i.take("domainNameArn")),
      AccessAssociationSource: c.ref(i.take("accessAssociationSource")),
      AccessAssociationSourceType: i.take("accessAssociationSourceType"),
    }),
  },
  "aws:apigateway/basePathMapping:BasePathMapping": {
    kind: "resource",
    type: "AWS::ApiGateway::BasePathMappingV2",
    properties: (i, c) => {
      i.take("domainName");
      const domainLogicalId = c.logicalIdOf(i.take("domainNameId"));
      return {
        DomainNameArn: { "Fn::GetAtt": [domainLogicalId, "DomainNameArn"] },
        RestApiId: c.ref(i.take("restApi")),
        Stage: c.ref(i.take("stageName")),
        BasePath: i.take("basePath"),
      };
    },
  },
};

function mapValues(value: Record<string, string> | undefined, c: RenderContext): Record<string, unknown> | undefined {
  return value && Object.fromEntries(Object.entries(value).map(([k, v]) => [k, c.ref(v)]));
}
