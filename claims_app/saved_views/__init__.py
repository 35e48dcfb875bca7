"""Saved views: named claim-list filters, private or shared, shown in the navigation with live counts."""
