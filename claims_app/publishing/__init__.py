"""Publishing verdicts as public fact-checks: snapshots, the public pages, their feed and ClaimReview JSON-LD."""
