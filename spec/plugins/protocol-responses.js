// Redocly plugin: types the root `x-testmax-protocol-responses` extension as a Responses map.
// Answers that belong to no operation (404 for an unknown path, 405 for a method a path lacks,
// 413, 429 and 5xx on any path) live there. Untyped, an extension is opaque to Redocly: its
// component refs would count as unused, its examples would go unchecked, and `bundle` would
// inline the refs instead of keeping them.
export default function protocolResponses() {
  return {
    id: 'testmax',
    typeExtension: {
      oas3(types) {
        return {
          ...types,
          Root: {
            ...types.Root,
            properties: { ...types.Root.properties, 'x-testmax-protocol-responses': 'Responses' },
          },
        };
      },
    },
  };
}
