import { z } from 'zod';
import { FieldType, MAX_FIELDS, MAX_NEW_FIELDS_PER_REQUEST } from './validate-catalog';
import { MAX_ITEMS_PER_REQUEST } from './validate-items';
import { MAX_FILTERS, MAX_RESULTS_LIMIT, Operator } from './validate-selection';

/**
 * Request and response shapes of the catalog endpoints, for the OpenAPI description. Handlers
 * validate bodies themselves (src/catalogs/validate-*.ts) so that every problem is reported with
 * Braze's catalog error ids; these schemas document the same rules.
 */

export const CatalogFieldSchema = z
  .object({ name: z.string().max(250), type: FieldType })
  .meta({ id: 'CatalogField' });

export const CatalogOut = z
  .object({
    name: z.string(),
    description: z.string(),
    fields: z.array(CatalogFieldSchema),
    num_items: z.number().int(),
    updated_at: z.string(),
  })
  .meta({ id: 'Catalog' });

export const CreateCatalogBody = z
  .object({
    catalogs: z
      .array(
        z.object({
          name: z
            .string()
            .max(250)
            .regex(/^[A-Za-z0-9_-]+$/),
          description: z.string().max(250),
          fields: z.array(CatalogFieldSchema).min(1).max(MAX_FIELDS),
        }),
      )
      .length(1),
  })
  .meta({ id: 'CreateCatalogRequest' });

export const CatalogsOut = z.object({ message: z.string(), catalogs: z.array(CatalogOut) });

/** An item: `id` plus the catalog's fields. */
export const CatalogItemSchema = z
  .object({
    id: z
      .string()
      .max(250)
      .regex(/^[A-Za-z0-9_-]+$/),
  })
  .catchall(z.unknown())
  .meta({ id: 'CatalogItem' });

export const BulkItemsBody = z
  .object({ items: z.array(CatalogItemSchema).min(1).max(MAX_ITEMS_PER_REQUEST) })
  .meta({ id: 'CatalogItemsRequest' });

export const BulkDeleteBody = z
  .object({
    items: z
      .array(z.object({ id: z.string() }))
      .min(1)
      .max(MAX_ITEMS_PER_REQUEST),
  })
  .meta({ id: 'CatalogItemIdsRequest' });

export const SingleItemBody = z
  .object({ items: z.array(z.record(z.string(), z.unknown())).length(1) })
  .meta({ id: 'CatalogItemRequest' });

export const ItemsOut = z.object({ message: z.string(), items: z.array(CatalogItemSchema) });

export const CreateFieldsBody = z
  .object({ fields: z.array(CatalogFieldSchema).min(1).max(MAX_NEW_FIELDS_PER_REQUEST) })
  .meta({ id: 'CreateCatalogFieldsRequest' });

export const CreateSelectionBody = z
  .object({
    selection: z.object({
      name: z
        .string()
        .max(250)
        .regex(/^[A-Za-z0-9_-]+$/),
      description: z.string().max(250).optional(),
      filters: z
        .array(
          z.object({
            field: z.string(),
            operator: Operator,
            value: z.union([z.string(), z.number(), z.boolean()]),
          }),
        )
        .max(MAX_FILTERS)
        .optional(),
      results_limit: z.number().int().min(1).max(MAX_RESULTS_LIMIT).optional(),
      sort_field: z.string().optional(),
      sort_order: z.enum(['asc', 'desc']).optional(),
    }),
  })
  .meta({ id: 'CreateCatalogSelectionRequest' });

export const MessageOut = z.object({ message: z.string() });

export const ListItemsQuery = z.object({
  cursor: z.string().optional().describe('From the `Link` header of the previous answer'),
});
