"""Patient statements: what each patient owes after insurance, as a PDF, logged on the Statements ledger."""
