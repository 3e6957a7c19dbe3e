import { z } from 'zod';
import { type CatalogError, type Checked, catalogError } from './errors';

/** Column types a catalog field may have (contract §8.1); fixed once the field exists. */
export const FieldType = z.enum(['string', 'number', 'boolean', 'time', 'array', 'object']);
export type FieldType = z.infer<typeof FieldType>;

export const CatalogField = z.object({ name: z.string(), type: FieldType });
export type CatalogField = z.infer<typeof CatalogField>;

/** The `fields` column as stored: read back through this schema, it is a trust boundary. */
export const StoredFields = z.array(CatalogField);

/** Letters, digits, `-` and `_`: catalog, field, selection and item id names alike. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
export const MAX_NAME_LENGTH = 250;
export const MAX_DESCRIPTION_LENGTH = 250;
/** Fields per catalog through the API (the CSV path allows 1,000; contract §10.9 #136). */
export const MAX_FIELDS = 500;
export const MAX_NEW_FIELDS_PER_REQUEST = 50;

export interface NewCatalog {
  name: string;
  description: string;
  fields: CatalogField[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Check a list of field definitions against Braze's naming and typing rules. `existing` are the
 * catalog's current fields (for `POST /fields`), which new names must not repeat.
 */
export function checkFieldDefinitions(
  raw: unknown,
  existing: readonly CatalogField[] = [],
): Checked<CatalogField[]> {
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every(isRecord)) {
    return {
      ok: false,
      errors: [catalogError('invalid-fields', 'fields is not formatted correctly', ['fields'])],
    };
  }
  const errors: CatalogError[] = [];
  const seen = new Set(existing.map((f) => f.name));
  const fields: CatalogField[] = [];
  for (const f of raw) {
    const name = f.name;
    if (typeof name !== 'string' || name.length === 0 || !NAME_PATTERN.test(name)) {
      errors.push(
        catalogError(
          'invalid-field-names',
          'Field names can only include letters, numbers, hyphens, and underscores',
          ['name'],
          [name],
        ),
      );
      continue;
    }
    if (name.length > MAX_NAME_LENGTH) {
      errors.push(
        catalogError(
          'field-names-too-large',
          `Field names can be at most ${MAX_NAME_LENGTH} characters`,
          ['name'],
          [name],
        ),
      );
      continue;
    }
    if (seen.has(name)) {
      errors.push(
        catalogError('field-names-not-unique', 'Field names must be unique', ['name'], [name]),
      );
      continue;
    }
    seen.add(name);
    const type = FieldType.safeParse(f.type);
    if (!type.success) {
      errors.push(
        catalogError('invalid-field-types', 'Field types are not valid', ['type'], [f.type]),
      );
      continue;
    }
    fields.push({ name, type: type.data });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: fields };
}

function checkName(name: unknown): CatalogError | null {
  if (typeof name !== 'string' || name.length === 0 || !NAME_PATTERN.test(name)) {
    return catalogError(
      'invalid-catalog-name',
      'Catalog name can only include letters, numbers, hyphens, and underscores',
      ['name'],
      [name],
    );
  }
  if (name.length > MAX_NAME_LENGTH) {
    return catalogError(
      'catalog-name-too-large',
      `Catalog name can be at most ${MAX_NAME_LENGTH} characters`,
      ['name'],
      [name],
    );
  }
  return null;
}

/** Validate a `POST /catalogs` body: exactly one catalog, `id` (a string) its first field. */
export function checkCreateCatalog(body: unknown): Checked<NewCatalog> {
  const list = isRecord(body) ? body.catalogs : undefined;
  if (!Array.isArray(list) || list.length === 0 || !list.every(isRecord)) {
    return {
      ok: false,
      errors: [
        catalogError('catalog-array-invalid', 'catalogs must be an array of objects', ['catalogs']),
      ],
    };
  }
  if (list.length > 1) {
    return {
      ok: false,
      errors: [
        catalogError('too-many-catalog-atoms', 'Only one catalog can be created per request'),
      ],
    };
  }
  const c = list[0]!;
  const errors: CatalogError[] = [];
  const nameError = checkName(c.name);
  if (nameError) errors.push(nameError);
  const description = c.description ?? '';
  if (typeof description !== 'string') {
    errors.push(
      catalogError('catalog-array-invalid', 'description must be a string', ['description']),
    );
  } else if (description.length > MAX_DESCRIPTION_LENGTH) {
    errors.push(
      catalogError(
        'description-too-long',
        `Description can be at most ${MAX_DESCRIPTION_LENGTH} characters`,
        ['description'],
        [description],
      ),
    );
  }
  const fields = checkFieldDefinitions(c.fields);
  if (!fields.ok) errors.push(...fields.errors);
  else {
    const first = fields.value[0]!;
    if (first.name !== 'id' || first.type !== 'string') {
      errors.push(
        catalogError(
          'id-not-first-column',
          'The first field must be id, of type string',
          ['fields'],
          [first.name],
        ),
      );
    }
    if (fields.value.length > MAX_FIELDS) {
      errors.push(
        catalogError(
          'too-many-fields',
          `A catalog can have at most ${MAX_FIELDS} fields`,
          ['fields'],
          [fields.value.length],
        ),
      );
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name: c.name as string,
      description: description as string,
      fields: fields.ok ? fields.value : [],
    },
  };
}

/** Validate a `POST /catalogs/{name}/fields` body against the catalog's current fields. */
export function checkNewFields(
  body: unknown,
  existing: readonly CatalogField[],
): Checked<CatalogField[]> {
  const raw = isRecord(body) ? body.fields : undefined;
  if (Array.isArray(raw) && raw.length > MAX_NEW_FIELDS_PER_REQUEST) {
    return {
      ok: false,
      errors: [
        catalogError(
          'request-includes-too-many-fields',
          `A request can add at most ${MAX_NEW_FIELDS_PER_REQUEST} fields`,
          ['fields'],
          [raw.length],
        ),
      ],
    };
  }
  const fields = checkFieldDefinitions(raw, existing);
  if (!fields.ok) return fields;
  if (existing.length + fields.value.length > MAX_FIELDS) {
    return {
      ok: false,
      errors: [
        catalogError(
          'catalog-exceeds-fields-limit',
          `A catalog can have at most ${MAX_FIELDS} fields`,
          ['fields'],
          [existing.length + fields.value.length],
        ),
      ],
    };
  }
  return fields;
}
