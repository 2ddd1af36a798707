export interface SubpathSize {
  subpath: string;
  minified: number;
  gzip: number;
  top: string[];
}
export interface SizeConfig {
  budgets: Record<string, { gzip: number; note?: string; target?: number }>;
  scenarios?: Record<string, { from: string; names: string[]; gzip: number }>;
}
export declare function measureSizes(dir?: string): Promise<SubpathSize[]>;
export declare function measureScenarios(scenarios: SizeConfig['scenarios'], dir?: string): Promise<SubpathSize[]>;
export declare function loadBudgets(dir?: string): SizeConfig;
export declare function checkBudgets(
  sizes: SubpathSize[],
  scenarioSizes: SubpathSize[],
  config: SizeConfig,
): { problems: string[]; warnings: string[] };
export declare function formatTable(sizes: SubpathSize[], scenarioSizes: SubpathSize[], config: SizeConfig): string;
export declare function runSizeCheck(dir?: string, print?: (line: string) => void): Promise<string[]>;
