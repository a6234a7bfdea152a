// Validates answers against the response schemas of the official OpenAPI
// definitions (shared/reference/openapi/*.yaml).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import yaml from 'js-yaml';

export function loadValidator(dir) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const docs = {};
  for (const file of ['messaging.yaml', 'rooms.yaml', 'user-management.yaml', 'statistics.yaml', 'authentication.yaml', 'settings.yaml']) {
    const doc = yaml.load(readFileSync(join(dir, file), 'utf8'));
    docs[file] = doc;
    ajv.addSchema(doc, file);
  }
  const esc = (s) => s.replaceAll('~', '~0').replaceAll('/', '~1');
  // validate(file, '/api/v1/x', 'get', status, body) returns an error
  // text, or '' when the body fits; a status without a schema is
  // reported too.
  return (file, path, method, status, body) => {
    const doc = docs[file];
    let response = doc.paths?.[path]?.[method]?.responses?.[String(status)];
    if (!response) return `no ${status} response for ${method.toUpperCase()} ${path} in ${file}`;
    let pointer = `${file}#/paths/${esc(path)}/${method}/responses/${status}`;
    if (response.$ref) {
      pointer = `${file}${response.$ref}`;
      response = response.$ref.split('/').slice(1).reduce((o, k) => o[k], doc);
    }
    if (!response.content?.['application/json']?.schema) return `no schema for ${status} of ${method.toUpperCase()} ${path}`;
    const validate = ajv.getSchema(`${pointer}/content/application~1json/schema`);
    if (validate(body)) return '';
    return ajv.errorsText(validate.errors);
  };
}
