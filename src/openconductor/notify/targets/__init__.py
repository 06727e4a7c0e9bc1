"""One module per notification target, each behind the contract in notify/contract.py."""
