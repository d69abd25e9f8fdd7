"""The dispute types and platforms by name, import-free (the command line builds its choices from these
without loading the contract's field table)."""

DISPUTE_TYPES = ("not_received", "not_as_described", "damaged", "cancellation")
PLATFORMS = ("aliexpress", "amazon", "ebay", "shopify", "taobao", "douyin", "other")
