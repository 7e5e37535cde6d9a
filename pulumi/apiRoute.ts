/**
 * One route of the REST API: a method, its AWS service integration, and its method and
 * integration responses. `route()` returns the resources it declared and everything they
 * were declared from, so the deployment's fingerprint covers every input of every part.
 */

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SecurityHeaders } from "../wasm/pkg-node/private_ingest_wasm";
import { staticHeaders } from "./securityHeaders";

/** An integration response of one route. */
export interface ResponseSpec {
  readonly statusCode: string;
  /** Regex on the service's HTTP status; absent for the default response. */
  readonly selectionPattern?: string;
  readonly template?: string;
  readonly contentHandling?: string;
  /** Header mappings besides the security headers (`method.response.header.<name>` to an expression). */
  readonly headers?: Readonly<Record<string, string>>;
  /** This response's security headers, when not the route's (the page's HTML). */
  readonly securityHeaders?: SecurityHeaders;
}

/** One method of the API and its AWS service integration. */
export interface RouteSpec {
  readonly name: string;
  readonly restApi: pulumi.Input<string>;
  readonly resourceId: pulumi.Input<string>;
  readonly httpMethod: "GET" | "POST";
  readonly authorization: "NONE" | "AWS_IAM";
  readonly methodParameters?: Readonly<Record<string, boolean>>;
  readonly requestModels?: Readonly<Record<string, pulumi.Input<string>>>;
  readonly requestValidatorId?: pulumi.Input<string>;
  readonly uri: pulumi.Input<string>;
  readonly integrationHttpMethod: "GET" | "POST";
  readonly credentials: pulumi.Input<string>;
  readonly integrationParameters?: Readonly<Record<string, string>>;
  readonly requestTemplate?: string;
  /** Method response statuses beyond the integration responses' (set by `responseOverride`). */
  readonly overrideStatuses?: readonly string[];
  readonly responses: readonly ResponseSpec[];
  /** The security headers of every response of the route, unless a response says otherwise. */
  readonly securityHeaders: SecurityHeaders;
}

/** What a part of the API was declared from, and the resource it is. */
export interface ApiParts {
  readonly resources: readonly pulumi.Resource[];
  /** The inputs of every resource in `resources`, in declaration order. */
  readonly definition: readonly unknown[];
}

/** Declares `resource` from `args` and keeps both, for the fingerprint and the deployment's dependencies. */
export class ApiPartsBuilder {
  private readonly resources: pulumi.Resource[] = [];
  private readonly definition: unknown[] = [];

  add<A, R extends pulumi.Resource>(
    construct: new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => R,
    name: string,
    args: A,
    opts: pulumi.CustomResourceOptions,
  ): R {
    const resource = new construct(name, args, opts);
    this.resources.push(resource);
    this.definition.push({ name, args });
    return resource;
  }

  /** Something the API serves that is not a resource input (the page files' hashes). */
  addDefinition(part: unknown): void {
    this.definition.push(part);
  }

  include(parts: ApiParts): void {
    this.resources.push(...parts.resources);
    this.definition.push(...parts.definition);
  }

  build(): ApiParts {
    return { resources: [...this.resources], definition: [...this.definition] };
  }
}

export function route(prefix: string, spec: RouteSpec, opts: pulumi.CustomResourceOptions): ApiParts {
  const parts = new ApiPartsBuilder();
  const name = `${prefix}-${spec.name}`;
  const method = parts.add(
    aws.apigateway.Method,
    `${name}-method`,
    {
      restApi: spec.restApi,
      resourceId: spec.resourceId,
      httpMethod: spec.httpMethod,
      authorization: spec.authorization,
      requestParameters: spec.methodParameters ? { ...spec.methodParameters } : undefined,
      requestModels: spec.requestModels ? { ...spec.requestModels } : undefined,
      requestValidatorId: spec.requestValidatorId,
    },
    opts,
  );
  const integration = parts.add(
    aws.apigateway.Integration,
    `${name}-integration`,
    {
      restApi: spec.restApi,
      resourceId: spec.resourceId,
      httpMethod: method.httpMethod,
      type: "AWS",
      integrationHttpMethod: spec.integrationHttpMethod,
      uri: spec.uri,
      credentials: spec.credentials,
      requestParameters: spec.integrationParameters ? { ...spec.integrationParameters } : undefined,
      requestTemplates: spec.requestTemplate ? { "application/json": spec.requestTemplate } : undefined,
      // A request whose Content-Type has no template is refused (415), never passed on raw.
      passthroughBehavior: spec.requestTemplate ? "NEVER" : "WHEN_NO_MATCH",
    },
    opts,
  );

  // Every response carries its security headers; an overridden status (set by a
  // template) keeps the headers of the integration response that set it, the route's.
  const headersOf = (r: ResponseSpec | undefined): Record<string, string> => ({
    ...staticHeaders("method.response.header", r?.securityHeaders ?? spec.securityHeaders),
    ...r?.headers,
  });
  const statuses = [...new Set([...spec.responses.map((r) => r.statusCode), ...(spec.overrideStatuses ?? [])])];
  const methodResponses = new Map<string, aws.apigateway.MethodResponse>();
  for (const statusCode of statuses) {
    const headers = headersOf(spec.responses.find((r) => r.statusCode === statusCode));
    methodResponses.set(
      statusCode,
      parts.add(
        aws.apigateway.MethodResponse,
        `${name}-${statusCode}`,
        {
          restApi: spec.restApi,
          resourceId: spec.resourceId,
          httpMethod: method.httpMethod,
          statusCode,
          responseParameters: Object.fromEntries(Object.keys(headers).map((h) => [h, true])),
        },
        opts,
      ),
    );
  }
  for (const r of spec.responses) {
    parts.add(
      aws.apigateway.IntegrationResponse,
      `${name}-${r.statusCode}-response`,
      {
        restApi: spec.restApi,
        resourceId: spec.resourceId,
        httpMethod: method.httpMethod,
        statusCode: r.statusCode,
        selectionPattern: r.selectionPattern,
        contentHandling: r.contentHandling,
        responseParameters: headersOf(r),
        responseTemplates: r.template ? { "application/json": r.template } : undefined,
      },
      { ...opts, dependsOn: [integration, methodResponses.get(r.statusCode)!] },
    );
  }
  return parts.build();
}
