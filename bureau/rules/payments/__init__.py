"""
The money: the ledger's one-payment rule (`ledger`), payments written one by one or in batches and
the money held for want of a bank account (`batches`, `held`), a clerk's payment list checked line by
line (`lists`) and kept as a proposal a second clerk approves (`proposals`), a care visit's 慰问金 as a
ledger payment (`visits`).
"""
