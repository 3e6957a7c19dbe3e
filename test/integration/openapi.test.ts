import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/http/routes';
import { call } from '../fixtures/workspace';

describe('GET /openapi.json', () => {
  it('describes every route with its permission, body and error responses', async () => {
    const res = await call('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, any>>;
    };
    expect(doc.openapi).toBe('3.0.3');
    for (const route of ROUTES) {
      const op = doc.paths[route.path]?.[route.method];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op.responses[route.success.status]).toBeDefined();
      expect(op.responses[400]).toBeDefined();
      if (route.auth.type === 'api_key') expect(op.description).toContain(route.auth.permission);
      if (route.body) expect(op.requestBody.content['application/json'].schema).toBeDefined();
    }
    const track = doc.paths['/users/track']!.post.requestBody.content['application/json'].schema;
    expect(track.$ref).toBe('#/components/schemas/TrackRequest');
    const components = (doc as unknown as { components: { schemas: Record<string, any> } })
      .components;
    expect(components.schemas.TrackRequest.properties.attributes.maxItems).toBe(75);
    // Every reference resolves inside the document.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = ref.split('/').pop()!.replace('"', '');
      expect(components.schemas[name], ref).toBeDefined();
    }
  });

  it('lists the filter kinds in the segment filter description, property filters included', async () => {
    const doc = (await (await call('/openapi.json')).json()) as any;
    const body = doc.paths['/herald/segments'].post.requestBody.content['application/json'].schema;
    const filter = body.properties.filter;
    expect(filter.description).toContain('custom_event_property');
    expect(filter.description).toContain('purchase_property');
    const settings =
      doc.paths['/operator/workspaces/{workspace_id}'].put.requestBody.content['application/json']
        .schema.properties.settings;
    expect(Object.keys(settings.properties)).toContain('segmentable_event_properties');
  });

  it('answers unknown paths with a 404 in the Braze envelope', async () => {
    const res = await call('/users/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found: GET /users/nope' });
  });
});
