/**
 * The CustomResourceDefinition rules users meet most, with upstream's wording
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go).
 */
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import { invalidEach, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { structuralErrors } from '../../../apiextensions/structural.js';
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionSpec,
  CustomResourceDefinitionVersion,
} from './schema.js';

const SCOPES = ['Cluster', 'Namespaced'];
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];

export function validateCustomResourceDefinition(crd: CustomResourceDefinition): StatusCause[] {
  const { spec } = crd;
  const causes: StatusCause[] = [];
  const expected = `${spec.names.plural}.${spec.group}`;
  if (crd.metadata.name !== expected)
    causes.push(fieldError.invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  causes.push(...validateGroup(spec.group), ...validateScope(spec.scope));
  causes.push(...validateNames(spec.names, 'spec.names'), ...validateVersions(spec));
  if (spec.preserveUnknownFields)
    causes.push(
      fieldError.invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'),
    );
  return causes;
}

function validateGroup(group: string): StatusCause[] {
  const field = 'spec.group';
  if (!group) return [fieldError.required(field)];
  const causes = invalidEach(field, group, isDNS1123Subdomain(group));
  if (!group.includes('.')) causes.push(fieldError.invalid(field, group, 'should be a domain with at least one dot'));
  return causes;
}

function validateScope(scope: string): StatusCause[] {
  if (!scope) return [fieldError.required('spec.scope')];
  return SCOPES.includes(scope) ? [] : [fieldError.unsupported('spec.scope', scope, SCOPES)];
}

/** `ValidateCustomResourceDefinitionNames`: lower-case DNS-1035 labels, kinds checked lower-cased. */
export function validateNames(names: CustomResourceDefinitionNames, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const label = (value: string | undefined, field: string, required: boolean) => {
    if (!value) {
      if (required) causes.push(fieldError.required(`${path}.${field}`));
      return;
    }
    causes.push(...invalidEach(`${path}.${field}`, value, isDNS1035Label(value)));
  };
  label(names.plural, 'plural', true);
  label(names.singular, 'singular', false);
  names.shortNames?.forEach((s, i) => label(s, `shortNames[${i}]`, false));
  names.categories?.forEach((c, i) => label(c, `categories[${i}]`, false));
  for (const field of ['kind', 'listKind'] as const) {
    const value = names[field];
    if (!value) {
      if (field === 'kind') causes.push(fieldError.required(`${path}.kind`));
      continue;
    }
    const errs = isDNS1035Label(value.toLowerCase());
    if (errs.length) causes.push(fieldError.invalid(`${path}.${field}`, value, errs.join('; ')));
  }
  if (names.kind && names.kind === names.listKind)
    causes.push(fieldError.invalid(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  return causes;
}

function validateVersions(spec: CustomResourceDefinitionSpec): StatusCause[] {
  const causes: StatusCause[] = [];
  const versions = spec.versions;
  if (versions.filter((v) => v.storage).length !== 1)
    causes.push(
      fieldError.invalid(
        'spec.versions',
        versionNames(versions),
        'must have exactly one version marked as storage version',
      ),
    );
  if (versions.length && !versions.some((v) => v.served))
    causes.push(fieldError.invalid('spec.versions', versionNames(versions), 'must serve at least one version'));
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const path = `spec.versions[${i}]`;
    if (!v.name) causes.push(fieldError.required(`${path}.name`));
    else causes.push(...invalidEach(`${path}.name`, v.name, isDNS1123Label(v.name)));
    if (seen.has(v.name)) causes.push(fieldError.duplicate(`${path}.name`, v.name));
    seen.add(v.name);
    causes.push(...validateVersion(v, path));
  });
  return causes;
}

function versionNames(versions: readonly CustomResourceDefinitionVersion[]): string {
  return `[${versions.map((v) => v.name).join(' ')}]`;
}

function validateVersion(v: CustomResourceDefinitionVersion, path: string): StatusCause[] {
  const schemaPath = `${path}.schema.openAPIV3Schema`;
  const causes: StatusCause[] = [];
  const schema = v.schema?.openAPIV3Schema;
  if (schema === undefined) causes.push(fieldError.required(schemaPath, 'schemas are required'));
  else causes.push(...structuralErrors(schema, schemaPath));
  v.additionalPrinterColumns?.forEach((c, i) => {
    const col = `${path}.additionalPrinterColumns[${i}]`;
    if (!c.name) causes.push(fieldError.required(`${col}.name`));
    if (!c.jsonPath) causes.push(fieldError.required(`${col}.jsonPath`));
    if (!c.type) causes.push(fieldError.required(`${col}.type`));
    else if (!COLUMN_TYPES.includes(c.type)) causes.push(fieldError.unsupported(`${col}.type`, c.type, COLUMN_TYPES));
  });
  return causes;
}
