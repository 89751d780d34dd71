import { createClient } from 'redis';

/** Every key under the prefix and every value, as text. */
export async function dump(url: string, keyPrefix: string): Promise<{ names: string[]; text: string }> {
  const client = createClient({ url });
  await client.connect();
  try {
    const names = await client.keys(`${keyPrefix}*`);
    const values: string[] = [];
    for (const name of names) {
      const type = await client.type(name);
      if (type === 'hash') values.push(JSON.stringify(await client.hGetAll(name)));
      else if (type === 'string') values.push(String(await client.get(name)));
    }
    return { names, text: values.join('\n') };
  } finally {
    client.destroy();
  }
}
