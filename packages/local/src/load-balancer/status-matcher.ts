// ALB target group matcher (`HttpCode`): '200', '200,202' or '200-299' → a predicate on status codes.

export function statusMatcher(matcher: string): (status: number) => boolean {
  const ranges = matcher.split(',').map((part) => {
    const match = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
    if (!match) {
      throw new Error(
        `Load balancer health check matcher '${matcher}' is not valid: use a code ('200'), a list ('200,202') or a range ('200-299').`,
      );
    }
    const low = Number(match[1]);
    return [low, match[2] === undefined ? low : Number(match[2])] as const;
  });
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}
