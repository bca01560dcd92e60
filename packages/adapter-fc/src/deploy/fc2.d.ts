/** `@alicloud/fc2` ships no types; the adapter reaches it only through the typed wrapper in client.ts. */
declare module '@alicloud/fc2' {
  const FCClient: unknown;
  export default FCClient;
}
