"""Police-side investigation: timelines, fund tracing, gangs and roles, entity resolution."""
