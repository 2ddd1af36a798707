// TypeDoc plugin: names each module after the import specifier users write (`switchyard/webhooks`)
// instead of its source path (`webhooks`, and `index` for the root), so the API reference reads
// like the README. Loaded through typedoc.json `plugin`.
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      mod.name = mod.name === 'index' ? 'switchyard' : `switchyard/${mod.name.replace(/\/index$/, '')}`;
    }
  });
}
