"""The contract suite itself: pytest modules run by `python -m contract_tests` or by pytest."""
