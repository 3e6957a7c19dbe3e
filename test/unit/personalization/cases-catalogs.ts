import { type ConformanceCase, janetWith } from './fixtures';

/** Catalog tags (contract §8.4), over the suite's fixed catalogs (fixtures.ts). */
export const catalogCases: ConformanceCase[] = [
  {
    name: 'catalog_items exposes items in the order of the ids (contract example)',
    template:
      '{% catalog_items Games 1235 1234 %}{{ items[0].title }} costs {{ items[0].price }}; also {{ items[1].title }}',
    expected: 'Sky Quest costs 24.99; also Tales',
  },
  {
    name: 'catalog_items leaves out unknown ids',
    template: '{% catalog_items Games 9999 1236 %}{{ items.size }}:{{ items[0].title }}',
    expected: '1:Dune Run',
  },
  {
    name: 'catalog_items with an id from an array attribute (contract example)',
    template:
      '{% assign wishlist = {{custom_attribute.${wishlist}}} %}{% catalog_items Games {{ wishlist[0] }} %}{{ items[0].title }}',
    recipient: janetWith({ custom: { wishlist: ['1236', '1234'] } }),
    expected: 'Dune Run',
  },
  {
    name: 'a templated catalog name (contract example)',
    template:
      '{% assign language = ${language} %}{% catalog_items {{language}} fall_campaign %}{{ items[0].headline }}',
    expected: 'Fall is here',
  },
  {
    name: 'catalog_selection_items loops over the selection (contract example)',
    template:
      '{% catalog_selection_items Games cheap_games %}{% for item in items %}{{ item.title }};{% endfor %}',
    expected: 'Tales;Dune Run;',
  },
  {
    name: "a selection's Liquid filter value renders for the recipient",
    template: '{% catalog_selection_items Games near_me %}{{ items | map: "title" | join: ", " }}',
    recipient: janetWith({ standard: { home_city: 'Boston' } }),
    expected: 'Sky Quest',
  },
  {
    name: 'an unknown selection gives no items',
    template: '{% catalog_selection_items Games nothing %}{{ items.size }}',
    expected: '0',
  },
  {
    name: ':rerender renders Liquid inside item fields (contract example)',
    template: '{% catalog_items Messages greet_msg :rerender %}{{ items[0].Welcome_Message }}',
    expected: 'Hi Janet, welcome back!',
  },
  {
    name: 'without :rerender Liquid in item fields is printed as text',
    template: '{% catalog_items Messages greet_msg %}{{ items[0].Welcome_Message }}',
    expected: 'Hi {{${first_name}}}, welcome back!',
  },
];
