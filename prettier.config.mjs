/**
 * One formatting for every TypeScript project (pulumi/, web/, tests/browser/), as close
 * as it gets to how the code was written: 130 columns (what 99% of its lines kept to),
 * trailing commas; the Pulumi program in double quotes, the page and its tests in single.
 */
export default {
  printWidth: 130,
  trailingComma: "all",
  overrides: [{ files: ["web/**", "tests/browser/**"], options: { singleQuote: true } }],
};
