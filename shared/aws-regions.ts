/**
 * AWS regions a launch may name. A region outside this list (a typo such as eu-west-9) would resolve to no endpoint
 * and strand the run's bookkeeping, so it is refused up front; an operator adds newer regions with AWS_EXTRA_REGIONS.
 */
export const AWS_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'ca-central-1', 'ca-west-1', 'mx-central-1', 'sa-east-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1',
  'il-central-1', 'me-south-1', 'me-central-1', 'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'us-gov-east-1', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1',
  'us-iso-east-1', 'us-iso-west-1', 'us-isob-east-1',
] as const;

const KNOWN = new Set<string>(AWS_REGIONS);

/** Null when the region is known (or listed by the operator), else why it is refused. */
export function awsRegionProblem(region: string, extra: readonly string[] = []): string | null {
  if (KNOWN.has(region) || extra.includes(region)) return null;
  const near = AWS_REGIONS.filter((r) => r.split('-').slice(0, 2).join('-') === region.split('-').slice(0, 2).join('-'));
  return `names no AWS region ('${region}')${near.length ? `; in that area AWS has ${near.join(', ')}` : ''}. If AWS has opened it since, the operator can add it to AWS_EXTRA_REGIONS`;
}
