"""The legal data of an institution that issues European Digital Credentials: rules.

An EDC issuer is an ``Organisation`` with a legal name, a legal identifier and an address
(ELM v3). In the Netherlands the legal identifier is the Chamber of Commerce (KvK) number.
Every field is optional (None: not stated); a stated field must be well formed:

* ``kvk_number``: 8 digits;
* ``country_code``: an ISO 3166-1 alpha-2 code (upper case);
* ``postal_code``: for the Netherlands (``NL``, or no country) ``1234 AB``; elsewhere at most
  10 characters;
* ``homepage``: an absolute ``http`` or ``https`` URL with a host;
* ``legal_name``, ``street_address``, ``locality``: not blank.

Pure: no I/O. The country table was taken from Debian's iso-codes 4.15 (``iso_3166-1.json``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from app.domain.model import LegalData

__all__ = [
    "ALPHA3",
    "COUNTRY_AUTHORITY",
    "legal_data_problems",
    "country_iri",
]

#: ISO 3166-1 alpha-2 → alpha-3, every officially assigned code (249).
ALPHA3: dict[str, str] = {
    item[:2]: item[2:]
    for item in (
        "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW "
        "AXALA AZAZE BABIH BBBRB BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN "
        "BOBOL BQBES BRBRA BSBHS BTBTN BVBVT BWBWA BYBLR BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG "
        "CHCHE CICIV CKCOK CLCHL CMCMR CNCHN COCOL CRCRI CUCUB CVCPV CWCUW CXCXR CYCYP CZCZE "
        "DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST EGEGY EHESH ERERI ESESP ETETH FIFIN "
        "FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL "
        "GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD HNHND HRHRV "
        "HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA JEJEY JMJAM "
        "JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO "
        "LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE "
        "MFMAF MGMDG MHMHL MKMKD MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS "
        "MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL "
        "NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI "
        "PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB RURUS RWRWA SASAU SBSLB SCSYC SDSDN "
        "SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD STSTP SVSLV "
        "SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON "
        "TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN "
        "VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF ZMZMB ZWZWE"
    ).split()
}
#: The EU Publications Office's country authority table (ELM's vocabulary for countries).
COUNTRY_AUTHORITY = "http://publications.europa.eu/resource/authority/country/"

_KVK = re.compile(r"[0-9]{8}")
_NL_POSTAL_CODE = re.compile(r"[1-9][0-9]{3} [A-Z]{2}")


def country_iri(alpha2: str) -> str:
    """Return the EU authority-table IRI of an ISO 3166-1 alpha-2 country code.

    Raises
    ------
    KeyError
        If `alpha2` is not an assigned code.

    Examples
    --------
    >>> country_iri("NL")
    'http://publications.europa.eu/resource/authority/country/NLD'
    """
    return COUNTRY_AUTHORITY + ALPHA3[alpha2]


def legal_data_problems(legal: LegalData, pointer: str = "") -> list[dict[str, str]]:
    """Return ``{"pointer", "message"}`` for every malformed field of `legal` (in field order).

    Examples
    --------
    >>> legal_data_problems(LegalData(kvk_number="41216593", postal_code="3511 AB",
    ...     country_code="NL", homepage="https://roc.example"))
    []
    >>> [p["pointer"] for p in legal_data_problems(LegalData(kvk_number="4121659",
    ...     postal_code="3511AB", homepage="ftp://x"), "/legal")]
    ['/legal/kvk_number', '/legal/postal_code', '/legal/homepage']
    >>> legal_data_problems(LegalData(country_code="NLD"))[0]["message"]
    "not an ISO 3166-1 alpha-2 country code (e.g. 'NL')"
    >>> legal_data_problems(LegalData(postal_code="D08 X2Y3", country_code="IE"))
    []
    """
    problems: list[dict[str, str]] = []

    def refuse(field: str, message: str) -> None:
        problems.append({"pointer": f"{pointer}/{field}", "message": message})

    for field in ("legal_name", "street_address", "locality"):
        value = getattr(legal, field)
        if value is not None and not value.strip():
            refuse(field, "must not be blank")
    if legal.kvk_number is not None and not _KVK.fullmatch(legal.kvk_number):
        refuse("kvk_number", "a KvK number is 8 digits")
    dutch = legal.country_code in (None, "NL")
    if legal.postal_code is not None:
        if dutch and not _NL_POSTAL_CODE.fullmatch(legal.postal_code):
            refuse("postal_code", "a Dutch postal code reads '1234 AB'")
        elif not dutch and not (0 < len(legal.postal_code.strip()) <= 10):
            refuse("postal_code", "a postal code has 1 to 10 characters")
    if legal.country_code is not None and legal.country_code not in ALPHA3:
        refuse("country_code", "not an ISO 3166-1 alpha-2 country code (e.g. 'NL')")
    if legal.homepage is not None and not _is_web_url(legal.homepage):
        refuse("homepage", "must be an absolute http(s) URL")
    return problems


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value
