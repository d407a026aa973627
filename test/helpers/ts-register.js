// Lets a child `node -r ./test/helpers/ts-register.js` require the library's
// TypeScript sources directly (transpile only, no type check), for tests that
// run the library in another process: with dropped capabilities, as an
// unprivileged user, or in a worker thread.
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

const options = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  sourceMap: false,
};
require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: options, fileName: filename });
  module._compile(outputText, filename);
};
