"""The organisations of the simulated partnership."""

from __future__ import annotations

from fraudlink.model.entities import Organisation

ECOMMERCE = (
    Organisation(
        org_id="hx-mall",
        name="华夏商城 Huaxia Mall",
        kind="ecommerce",
        city="Hangzhou",
        province="Zhejiang",
    ),
    Organisation(
        org_id="jy-shop",
        name="嘉悦购 Jiayue Shop",
        kind="ecommerce",
        city="Beijing",
        province="Beijing",
    ),
)
WALLETS = (
    Organisation(
        org_id="qb-pay",
        name="钱宝支付 Qianbao Pay",
        kind="wallet",
        city="Shanghai",
        province="Shanghai",
    ),
    Organisation(
        org_id="lt-pay",
        name="联通宝 Liantong Pay",
        kind="wallet",
        city="Shenzhen",
        province="Guangdong",
    ),
)
BANK = Organisation(
    org_id="hs-bank",
    name="华商银行 Huashang Bank",
    kind="bank",
    city="Guangzhou",
    province="Guangdong",
)
POLICE = (
    Organisation(
        org_id="hz-cyber",
        name="杭州市公安局网安支队 Hangzhou PSB Cyber Unit",
        kind="police",
        city="Hangzhou",
        province="Zhejiang",
    ),
    Organisation(
        org_id="cd-cyber",
        name="成都市公安局网安支队 Chengdu PSB Cyber Unit",
        kind="police",
        city="Chengdu",
        province="Sichuan",
    ),
)
ALL_ORGS = (*ECOMMERCE, *WALLETS, BANK, *POLICE)
# Account-id prefixes per organisation and account kind.
PREFIX = {"hx-mall": "hx", "jy-shop": "jy", "qb-pay": "qb", "lt-pay": "lt", "hs-bank": "62"}
