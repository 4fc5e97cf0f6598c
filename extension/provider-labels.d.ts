/** Built from shared/providers.ts by wxt.config.ts: each provider's label and category, without its schemas. */
declare module 'virtual:provider-labels' {
  export const providerLabels: Record<import('../shared/providers').ProviderId, { label: string; category: import('../shared/providers').Category }>;
}
