"""Word lists used offline: given names, surnames, places, common words, medicines.

The name, place and common-word lists are data files in ``data/`` built from Faker's locale
providers (MIT licence; ``lexicon_build.py`` rebuilds them): about 24,000 given names and 24,000
surnames of some 60 countries, 33,000 place names, and the 1,000 most common words of English,
German, Danish and Dutch, which tell the names that are also words ("Will", "May", "Rose",
"Page") from the names that are only names. They load on first use.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@cache
def _data(name: str) -> frozenset[str]:
    raw = (resources.files("labwarden.checks.pii") / "data" / name).read_bytes()
    return frozenset(gzip.decompress(raw).decode("utf-8").split("\n")) - {""}


def given_names() -> frozenset[str]:
    """Lower-case given names of many countries."""
    return _data("given_names.txt.gz")


@cache
def surnames() -> frozenset[str]:
    """Lower-case surnames of many countries (without particles such as ``van`` or ``de``)."""
    return _data("surnames.txt.gz") - NOT_SURNAMES


@cache
def places() -> frozenset[str]:
    """Lower-case countries, regions and cities (multi-word names keep their spaces)."""
    return _data("places.txt.gz") | MAJOR_CITIES


@cache
def common_words() -> frozenset[str]:
    """Lower-case common words of English, German, Danish and Dutch, and words of logs and labs."""
    return _data("common_words.txt.gz") | NOT_SURNAMES


NOT_SURNAMES = _words(
    """
    after and avenue batch before center centre client clinic data debug epoch error eval
    evaluation for from group hospital info institute into lab laboratory loss model over
    project release request response road run server service step street team test that the
    these this those train training under university update user users version warning with
    accepted active admin agent alert api app approved array auth backup beta bio block bot
    branch bridge build cache call card care case cell chart check chief city cloud cluster
    code cohort commit config console container control core cost count credit critical
    dashboard database date day default deploy desk dev device direct disk doc docker domain
    dose drug east end engine entry event fail failed false field file filter final first
    flag flow form frame free front gate general global gold grant graph green guard guest
    head health help high home host hub image index inner input job key kind label last
    layer lead legal level light line link list live load local lock log login long low
    main manager map market master max medical memory mode monitor month new next node
    north note null number office open order page park part pass patient peak plan point
    policy pool port post power press price primary prime private public queue range rate
    ready record red region report rest result review right risk role root rose route rule
    safe sample scale scan score search second secret section security senior session set
    share shift short site size smart south space spring stage standard star start state
    status stock storage store study summary support system table target task tensor text
    time token top total track trial true trust type unit user valid value view visit
    volume watch week west white will window work worker year young zone
    """
)
"""Capitalized words of logs, reports and clinics that are also surnames somewhere."""

TITLES = _words(
    """
    mr mrs ms miss mx dr prof sir dame herr frau hr fru frk dhr mevr mevrouw meneer sr sra
    srta mme mlle m sig sig.ra dott dott.ssa nurse sister matron rev fr
    """
)
"""Titles before a name (lower-case, without the dot)."""

MAJOR_CITIES = _words(
    """
    aarhus amsterdam antwerp athens barcelona basel berlin bergen bern bilbao birmingham
    bologna bonn boston bordeaux bremen brussels bucharest budapest cambridge cardiff chicago
    cologne copenhagen cork dallas dresden dublin edinburgh espoo frankfurt gdansk geneva
    genoa glasgow gothenburg graz hamburg hannover helsinki houston leeds leipzig lille
    lisbon liverpool ljubljana london luxembourg lyon madrid malmö manchester marseille
    milan montreal munich münchen naples nice nottingham odense oslo oxford paris philadelphia
    porto prague reykjavik riga rome rotterdam salzburg seattle seville sheffield stockholm
    strasbourg stuttgart tallinn tampere toronto toulouse trondheim turku uppsala utrecht
    valencia vancouver vienna vilnius warsaw wien zagreb zurich zürich aalborg göteborg
    københavn kobenhavn goteborg uppsala linköping örebro stavanger tromsø oulu
    """
)
"""Cities of the trial countries and beyond that a generated list may lack."""

MEDICATIONS = _words(
    """
    acetaminophen acyclovir adalimumab albuterol alendronate allopurinol alprazolam
    amiodarone amitriptyline amlodipine amoxicillin ampicillin anastrozole apixaban
    aripiprazole aspirin atenolol atorvastatin azathioprine azithromycin bisoprolol
    budesonide buprenorphine bupropion candesartan carbamazepine carbidopa carboplatin
    carvedilol ceftriaxone celecoxib cephalexin cetirizine ciprofloxacin cisplatin
    citalopram clarithromycin clindamycin clonazepam clopidogrel clozapine codeine
    colchicine cyclosporine dabigatran dapagliflozin dexamethasone diazepam diclofenac
    digoxin diltiazem docetaxel donepezil doxorubicin doxycycline dulaglutide duloxetine
    edoxaban empagliflozin enalapril enoxaparin escitalopram esomeprazole estradiol
    etanercept ezetimibe famotidine fentanyl finasteride fluconazole fluoxetine fluticasone
    furosemide gabapentin glimepiride glipizide haloperidol heparin hydrochlorothiazide
    hydrocortisone hydroxychloroquine ibuprofen imatinib infliximab insulin lamotrigine
    lansoprazole letrozole levetiracetam levodopa levofloxacin levothyroxine liraglutide
    lisinopril lithium loperamide loratadine lorazepam losartan melatonin memantine
    metformin methadone methotrexate methylphenidate methylprednisolone metoclopramide
    metoprolol metronidazole mirtazapine montelukast morphine mycophenolate naproxen
    nifedipine nitrofurantoin nivolumab olanzapine omeprazole ondansetron oseltamivir
    oxybutynin oxycodone paclitaxel pantoprazole paracetamol paroxetine pembrolizumab
    penicillin phenytoin pioglitazone pravastatin prednisolone prednisone pregabalin
    progesterone propranolol quetiapine ramipril ranitidine risperidone rituximab
    rivaroxaban rosuvastatin salbutamol semaglutide sertraline sildenafil simvastatin
    sitagliptin spironolactone sulfamethoxazole tacrolimus tadalafil tamoxifen tamsulosin
    testosterone ticagrelor tiotropium topiramate torsemide tramadol trastuzumab trazodone
    trimethoprim valacyclovir valproate valsartan vancomycin venlafaxine verapamil warfarin
    zolpidem
    """
)
