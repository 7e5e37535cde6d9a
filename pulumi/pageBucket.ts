/**
 * The private bucket holding the test page (`make web`'s build), served only through the
 * API's page routes: public access blocked, objects owned by the bucket, encrypted, TLS only.
 */

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as policies from "./policies";
import { readWebAssets, type WebAsset } from "./webAssets";

export interface PageBucket {
  readonly bucket: aws.s3.Bucket;
  /** Each file's key and SHA-256: a changed page redeploys the API's stage. */
  readonly files: readonly { readonly key: string; readonly sha256: string }[];
}

/**
 * The page's bucket with the page's build and `published`: objects the stack makes
 * itself to sit beside the page (the routing rules in force).
 */
export function pageBucket(
  name: string,
  webDistDir: string,
  published: readonly WebAsset[],
  opts: pulumi.ComponentResourceOptions,
): PageBucket {
  // The bucket is emptied on destroy: it holds only the page's build, never data.
  const bucket = new aws.s3.Bucket(`${name}-page`, { bucketPrefix: "private-ingest-page-", forceDestroy: true }, opts);
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-page-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-page-ownership`,
    {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    },
    opts,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-page-encryption`,
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    },
    opts,
  );
  new aws.s3.BucketPolicy(
    `${name}-page-policy`,
    {
      bucket: bucket.id,
      policy: bucket.arn.apply((arn) => JSON.stringify(policies.pageBucketPolicy(arn))),
    },
    { ...opts, dependsOn: [publicAccess] },
  );

  const page = readWebAssets(webDistDir);
  const assets = [...page, ...published];
  for (const file of assets) {
    new aws.s3.BucketObjectv2(
      `${name}-page-${file.key}`,
      {
        bucket: bucket.id,
        key: file.key,
        content: file.base64,
        contentType: file.contentType,
        // Served through API Gateway only; it caches nothing itself.
        cacheControl: file.key === "index.html" ? "no-cache" : "public, max-age=300",
      },
      opts,
    );
  }
  // The published objects are served as they are now: changing them redeploys nothing.
  return { bucket, files: page.map(({ key, sha256 }) => ({ key, sha256 })) };
}
