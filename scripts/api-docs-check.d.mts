/** Types of scripts/api-docs-check.mjs, for the tests. */
export declare const Kind: {
  readonly Module: 2;
  readonly Variable: 32;
  readonly Function: 64;
  readonly Class: 128;
  readonly Interface: 256;
  readonly TypeAlias: 2097152;
  readonly Reference: 4194304;
};
export interface ApiCheckRules {
  subpathOf: (moduleName: string) => string;
  fullyDocumented: string[];
  summariesEnforced: string[];
  isPending: (name: string) => boolean;
}
export interface ApiCheckResult {
  missingExamples: string[];
  missingSummaries: string[];
  missingModuleComments: string[];
}
export declare function checkApiModel(project: unknown, rules: ApiCheckRules): ApiCheckResult;
