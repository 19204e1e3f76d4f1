"""Placeholder: request counter fields (issue 4)."""

import strawberry


@strawberry.type
class MetricsQuery:
    pass


@strawberry.type
class MetricsMutation:
    pass
