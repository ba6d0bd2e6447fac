// Lint rules for the TypeScript sources, as in crossplane/function-template-typescript: the
// recommended JavaScript and typescript-eslint rules, with formatting left to prettier.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/", "build/", ".cache/", "reports/", "node_modules/", "functions/lambda/bundles.generated.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Tests, benchmarks and the policy rules read manifests as untyped JSON.
    files: ["test/**", "bench/**", "tools/policy/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
