// ESLint for the map component (make lint): the recommended rules, browser globals, Leaflet's L.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/**", "leaflet/**"] },
  js.configs.recommended,
  {
    files: ["map.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser, L: "readonly" },
    },
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "smart"],
      "prefer-const": "error",
      "no-var": "error",
    },
  },
];
