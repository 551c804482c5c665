"""Word lists used offline: common given names and common medicines (generic names).

They only need to be good enough to tell a person's name or a prescription from other text
next to the structural recognizers; no NLP model is downloaded or needed.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FIRST_NAMES = _words(
    """
    aaron abigail adam adrian agnes ahmed aisha alan albert alberto alejandro alex alexander
    alexandra alfred ali alice alicia amanda amelia amir amy ana anders andrea andreas
    andrew angela anita anja ann anna anne annette anton antonio arjun arne astrid axel
    barbara ben benjamin bente bernd bernhard beth birgit birgitte bjorn bo brian bruce
    camilla carl carla carlos carmen caroline catherine charles charlotte chen chloe
    christian christina christine christopher claire clara claus daniel david deborah dennis
    diana diego dina dorothy edward elena eli elias elin elisabeth elizabeth ella ellen emil
    emily emma eric erik erika ester eva fatima felix filip frank frederik freja gabriel
    georg george gerhard gunnar gustav hana hannah hans harald harry heidi helen helena
    helga henrik henry hugo ida inga inge inger ingrid isaac isabel isabella ivan jack jacob
    james jan jane janne jasmine jason jennifer jens jesper jessica jin joan joao johan
    johanna john jonas jonathan jorge jose joseph juan juergen julia julian jurgen karen
    karin karl kasper katarina kate katherine kathrin kenneth kerstin kevin kim kirsten
    klaus kristian kristina lara lars laura lea leah lena leo leon li liam lina linda lisa
    lise louise lucas lucia lucy luis lukas magnus maja malene manuel marco margaret
    margrethe maria marie marina mario mark marta martin mary mathias matthew mette michael
    michelle mikkel mohammed mona morten nadia natalia nicolai niels nikolaj nils nina noah
    nora ola olaf ole oliver olivia oscar pablo patricia patrick paul paula per peter petra
    philip pia priya rachel rafael rahul raj rebecca richard rikke rita robert ronja rosa
    ruth sabine sam samuel sandra sara sarah sebastian sergei simon sofia sofie sophia
    sophie stefan steffen stephen steven susan susanne sven svend thomas tim tina tobias tom
    tomas tove ulla ulrik ursula valentina vera victor viktor wei william yang yusuf zhang
    zoe
    """
)

NOT_SURNAMES = _words(
    """
    after and avenue batch before center centre client clinic data debug epoch error eval
    evaluation for from group hospital info institute into lab laboratory loss model over
    project release request response road run server service step street team test that the
    these this those train training under university update user users version warning with
    """
)

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
