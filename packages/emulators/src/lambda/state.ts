/** What the Lambda emulator keeps per function, version, alias, mapping and schedule. */

/** The configuration of `$LATEST` or of a published version, in the API's own field names. */
export interface FunctionConfigState {
  FunctionName: string;
  FunctionArn: string;
  Runtime?: string;
  Role: string;
  Handler?: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  Environment?: { Variables: Record<string, string> };
  PackageType: 'Zip' | 'Image';
  ImageConfigResponse?: { ImageConfig: Record<string, unknown> };
  EphemeralStorage: { Size: number };
  Architectures: string[];
  State: 'Active';
  LastUpdateStatus: 'Successful';
  RevisionId: string;
}

/** A function's code: zip bytes, an S3 reference, or an image URI. */
export interface CodeState {
  zip?: Uint8Array;
  s3?: { bucket: string; key: string };
  imageUri?: string;
}

export interface AliasState {
  Name: string;
  AliasArn: string;
  FunctionVersion: string;
  Description: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
  RevisionId: string;
}

export interface UrlState {
  FunctionUrl: string;
  FunctionArn: string;
  AuthType: 'NONE' | 'AWS_IAM';
  Cors?: Record<string, unknown>;
  InvokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  CreationTime: string;
  LastModifiedTime: string;
  /** The id in the URL path. */
  id: string;
  qualifier: string;
}

export interface FunctionState {
  name: string;
  latest: FunctionConfigState;
  latestCode: CodeState;
  versions: Array<{ config: FunctionConfigState; code: CodeState }>;
  aliases: Map<string, AliasState>;
  /** Function URLs by qualifier (`$LATEST` or an alias). */
  urls: Map<string, UrlState>;
  /** Policy statements by qualifier. */
  policies: Map<string, Array<Record<string, unknown>>>;
  reserved?: number;
  /** Provisioned concurrency by qualifier. */
  provisioned: Map<string, number>;
  tags: Record<string, string>;
}

export interface MappingState {
  UUID: string;
  EventSourceArn: string;
  FunctionArn: string;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  State: 'Enabled' | 'Disabled';
  StateTransitionReason: string;
  LastModified: number;
  EventSourceMappingArn: string;
}

export interface ScheduleState {
  Name: string;
  GroupName: string;
  Arn: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  State: 'ENABLED' | 'DISABLED';
  FlexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number };
  Target: { Arn: string; RoleArn: string; Input?: string };
  Description?: string;
  CreationDate: number;
  LastModificationDate: number;
}
