// A stand-in compiler for workflow tests (see ../README.md): prints tsc-style errors for the
// two seeded error kinds, checks that websiteData.json parses, and writes out/index.html.
const fs = require("fs");
const path = require("path");

let errors = 0;
function report(file, line, col, code, message) {
  console.log(`${file}(${line},${col}): error ${code}: ${message}`);
  errors++;
}
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}
for (const file of walk("src").filter((f) => f.endsWith(".ts")).sort()) {
  fs.readFileSync(file, "utf8").split("\n").forEach((text, i) => {
    const quoted = text.match(/:\s*number\s*=\s*"\d+"/);
    if (quoted) {
      report(file, i + 1, text.indexOf('"') + 1, "TS2322",
             "Type 'string' is not assignable to type 'number'.");
    }
    const imp = text.match(/from\s+"(\.\/[^"]+)"/);
    if (imp && !fs.existsSync(path.join(path.dirname(file), imp[1] + ".ts"))) {
      report(file, i + 1, text.indexOf(imp[1]), "TS2307",
             `Cannot find module '${imp[1]}' or its corresponding type declarations.`);
    }
  });
}
const site = JSON.parse(fs.readFileSync("websiteData.json", "utf8"));
if (errors > 0) process.exit(2);
fs.mkdirSync("out", { recursive: true });
fs.writeFileSync("out/index.html", `<h1>${site.siteName || "site"}</h1>`);
console.log("built");
