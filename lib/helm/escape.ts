/**
 * Makes text safe to ship as a Helm template: Helm parses every file under templates/,
 * so a `{{` in generated content (Jinja in a DAG, a Go template in args) would be read
 * as a template action. Each `{{` becomes an action that prints `{{`, so the rendered
 * text is the original.
 * @see https://helm.sh/docs/chart_template_guide/yaml_techniques/
 */
export function escapeForHelm(text: string): string {
  // Most texts hold no `{{`: found without a regular expression, and returned as they are.
  return text.includes('{{') ? text.replace(/\{\{/g, '{{ "{{" }}') : text;
}
