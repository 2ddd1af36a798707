/**
 * The TypeScript samples in docs/notify.md compile under the project's strict settings, against the
 * real sources (`switchyard/*` mapped to `src/`). The free names a sample takes for granted (a
 * `store`, a `sendgrid` notifier, an `app`) are declared with their real types, and only when the
 * sample does not define them itself. This is what keeps `parseWebhook(raw)` (no `!`) honest.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** What a sample may use without defining it, and how it is declared. */
const GIVEN: Record<string, string> = {
  store: "declare const store: import('switchyard/stores').Store;",
  suppression: "declare const suppression: import('switchyard/notify').SuppressionList;",
  preferences: "declare const preferences: import('switchyard/notify').Preferences;",
  // What the factories really return: a sample's `sendgrid.parseWebhook(raw)` compiles only if that says parseWebhook is there.
  sendgrid: "declare const sendgrid: ReturnType<typeof import('switchyard/notify/sendgrid').createSendGridEmail>;",
  sendgridEmail: "declare const sendgridEmail: ReturnType<typeof import('switchyard/notify/sendgrid').createSendGridEmail>;",
  twilioSms: "declare const twilioSms: ReturnType<typeof import('switchyard/notify/twilio').createTwilioSms>;",
  notify: "declare const notify: import('switchyard/notify').FallbackStrategy;",
  createDeliveryTracker: "import { createDeliveryTracker } from 'switchyard/notify';",
  createTemplates: "import { createTemplates } from 'switchyard/notify';",
  fromFetchRequest: "import { fromFetchRequest } from 'switchyard/webhooks';",
  z: "import { z } from 'zod';",
  app: 'declare const app: { post(path: string, handler: (req: Request) => Promise<Response>): void };',
  booking: 'declare const booking: { id: string };',
  variables: 'declare const variables: { name: string; start: string };',
  subject: 'declare const subject: string;',
  text: 'declare const text: string;',
  html: 'declare const html: string;',
  body: 'declare const body: string;',
};

function samples(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

function withGivens(sample: string): string {
  const defines = (name: string) =>
    new RegExp(`\\b(?:const|let|function|interface|type)\\s+${name}\\b`).test(sample) ||
    new RegExp(`import\\s*(?:type\\s*)?\\{[^}]*\\b${name}\\b[^}]*\\}`).test(sample);
  const prelude = Object.entries(GIVEN)
    .filter(([name]) => new RegExp(`(?<![.\\w])${name}\\b`).test(sample) && !defines(name))
    .map(([, declaration]) => declaration);
  return `${prelude.join('\n')}\n${sample}\nexport {};\n`;
}

describe('docs/notify.md samples', () => {
  it('compile under strict against the sources', () => {
    const files = new Map(
      samples(readFileSync(resolve(root, 'docs/notify.md'), 'utf8')).map((s, i) => [resolve(root, `__doc_sample_${i}.ts`), withGivens(s)]),
    );
    expect(files.size).toBeGreaterThanOrEqual(4);
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      moduleDetection: ts.ModuleDetectionKind.Force,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      baseUrl: root,
      paths: { switchyard: ['src/index.ts'], 'switchyard/*': ['src/*/index.ts'] },
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.fileExists = (name) => files.has(resolve(name)) || ts.sys.fileExists(name);
    host.readFile = (name) => files.get(resolve(name)) ?? readFile(name);
    host.getSourceFile = (name, version, ...rest) => {
      const text = files.get(resolve(name));
      return text === undefined ? getSourceFile(name, version, ...rest) : ts.createSourceFile(name, text, version);
    };
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = [...files.keys()].flatMap((name) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(name)).map((d) => {
        const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        const line = at ? d.file?.text.split('\n')[at.line]?.trim() : '';
        return `${name.split('/').pop()}:${at ? at.line + 1 : '?'} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n    ${line}`;
      }),
    );
    expect(problems).toEqual([]);
  }, 120_000);
});
