"""The learner's pages, one module per page group; what two pages share lives in progress/pages.py or services."""
