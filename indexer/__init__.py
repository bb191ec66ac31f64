"""Full-text search over Chinese news about Chaoyang's development zones.

The data flow, one module per stage: `articles` (reading files) → `metadata` (zones, year, industries) →
`analysis` (clean-up, script folding, jieba) → `index` (Whoosh) → `query` (the query language) →
`search` (the one search core, with `facets` and `snippets`) → `cli` and the `web` package.
"""
