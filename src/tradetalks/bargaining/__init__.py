"""Multi-issue bargaining: outcome spaces, frontiers, solutions, protocols, strategies, batches."""
