/**
 * The CustomResourceDefinition rules users meet most, with upstream's wording
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go).
 */
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { scaleDefinitionErrors } from '../../../apiextensions/scale.js';
import { structuralErrors } from '../../../apiextensions/structural.js';
import type {
  CustomResourceColumnDefinition,
  CustomResourceDefinition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionSpec,
  CustomResourceDefinitionVersion,
} from './schema.js';

const SCOPES = ['Cluster', 'Namespaced'];
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

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
  const errs = isDNS1123Subdomain(group);
  if (errs.length) return [fieldError.invalid(field, group, errs.join(','))];
  return group.includes('.') ? [] : [fieldError.invalid(field, group, 'should be a domain with at least one dot')];
}

function validateScope(scope: string): StatusCause[] {
  if (!scope) return [fieldError.required('spec.scope')];
  return SCOPES.includes(scope) ? [] : [fieldError.unsupported('spec.scope', scope, SCOPES)];
}

/**
 * `ValidateCustomResourceDefinitionNames` plus the spec's required names (singular and listKind are
 * defaulted before): lower-case DNS-1035 labels, kinds checked lower-cased.
 */
export function validateNames(names: CustomResourceDefinitionNames, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['plural', 'singular', 'kind', 'listKind'] as const)
    if (!names[field]) causes.push(fieldError.required(`${path}.${field}`));
  const label = (value: string | undefined, field: string) => {
    const errs = value ? isDNS1035Label(value) : [];
    if (errs.length) causes.push(fieldError.invalid(`${path}.${field}`, value, errs.join(',')));
  };
  label(names.plural, 'plural');
  label(names.singular, 'singular');
  for (const field of ['kind', 'listKind'] as const) {
    const value = names[field];
    const errs = value ? isDNS1035Label(value.toLowerCase()) : [];
    if (errs.length)
      causes.push(
        fieldError.invalid(
          `${path}.${field}`,
          value,
          `may have mixed case, but should otherwise match: ${errs.join(',')}`,
        ),
      );
  }
  names.shortNames?.forEach((s, i) => label(s, `shortNames[${i}]`));
  if (names.kind && names.kind === names.listKind)
    causes.push(fieldError.invalid(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  names.categories?.forEach((c, i) => label(c, `categories[${i}]`));
  return causes;
}

function validateVersions(spec: CustomResourceDefinitionSpec): StatusCause[] {
  const causes: StatusCause[] = [];
  const versions = spec.versions;
  versions.forEach((v, i) => {
    const path = `spec.versions[${i}]`;
    const errs = isDNS1035Label(v.name);
    if (errs.length) causes.push(fieldError.invalid(`${path}.name`, v.name, errs.join(',')));
    causes.push(...validateVersion(v, path));
  });
  if (new Set(versions.map((v) => v.name)).size !== versions.length)
    causes.push(fieldError.invalid('spec.versions', versionNames(versions), 'must contain unique version names'));
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
  causes.push(...scaleDefinitionErrors(v.subresources, `${path}.subresources`));
  v.additionalPrinterColumns?.forEach((c, i) =>
    causes.push(...validateColumn(c, `${path}.additionalPrinterColumns[${i}]`)),
  );
  return causes;
}

/** `ValidateCustomResourceColumnDefinition`. */
function validateColumn(c: CustomResourceColumnDefinition, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!c.name) causes.push(fieldError.required(`${path}.name`));
  const types = `must be one of ${COLUMN_TYPES.join(',')}`;
  if (!c.type) causes.push(fieldError.required(`${path}.type`, types));
  else if (!COLUMN_TYPES.includes(c.type)) causes.push(fieldError.invalid(`${path}.type`, c.type, types));
  if (c.format && !COLUMN_FORMATS.includes(c.format))
    causes.push(fieldError.invalid(`${path}.format`, c.format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  if (!c.jsonPath) causes.push(fieldError.required(`${path}.jsonPath`));
  else if (!c.jsonPath.startsWith('.'))
    causes.push(fieldError.invalid(`${path}.jsonPath`, c.jsonPath, 'must be a simple json path starting with .'));
  return causes;
}
