export declare const SDK_OWNERS: Record<string, string[]>;
export declare const EDGE_READY: string[];
export declare function packageOf(specifier: string): string;
