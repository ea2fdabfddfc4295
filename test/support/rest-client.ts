/** A few lines of fetch for tests that talk to a platform in another process. */
export async function rest(apiUrl: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // `any`: tests assert on the shape with toMatchObject/toEqual.
  return { status: response.status, json: (await response.json()) as any };
}
