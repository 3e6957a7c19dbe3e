import { attributeCases } from './cases-attributes';
import { brazeFilterCases } from './cases-braze-filters';
import { catalogCases } from './cases-catalogs';
import { controlCases } from './cases-control';
import { dateCases } from './cases-dates';
import { filterCases } from './cases-filters';
import { safetyCases } from './cases-safety';
import type { ConformanceCase } from './fixtures';

export type { ConformanceCase } from './fixtures';

/**
 * The Liquid conformance table (contract §6, §8.4): `(template, context, expected)` cases written from
 * the contract's rules and the examples in Braze's Liquid documentation, one file per topic.
 */
export const conformanceCases: ConformanceCase[] = [
  ...attributeCases,
  ...filterCases,
  ...brazeFilterCases,
  ...dateCases,
  ...controlCases,
  ...safetyCases,
  ...catalogCases,
];
