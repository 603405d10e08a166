//! Word lists the generated rows draw from: names, bios, notes, review comments and rating
//! profiles.

/// Relative weights of ratings 1 to 5: well liked, liked, and divisive doctors.
pub(super) const RATING_PROFILES: [&[u32; 5]; 3] = [
    &[1, 1, 3, 20, 75],
    &[3, 4, 10, 35, 48],
    &[12, 14, 24, 28, 22],
];

/// Comma-separated (a list literal would take a line a name).
pub(super) const FIRST_NAMES: &str = "\
    Aaliyah, Aaron, Abigail, Adam, Adebayo, Aditi, Ahmed, Aisha, Alejandro, Alexander, Alice, \
    Amara, Amelia, Amir, Ana, Andrea, Andrew, Anna, Anton, Arjun, Astrid, Ava, Beatriz, \
    Benjamin, Bianca, Carlos, Caroline, Charlotte, Chen, Chloe, Christopher, Claire, Daniel, \
    David, Diego, Dmitri, Elena, Elif, Elijah, Emily, Emma, Ethan, Fatima, Felix, Fiona, \
    Francesca, Gabriel, Grace, Hannah, Hana, Hassan, Helena, Hiroshi, Ibrahim, Ines, Ingrid, \
    Isaac, Isabella, Ivan, Jack, James, Javier, Jia, Joanna, John, Jonas, Joseph, Julia, Kai, \
    Karim, Katarzyna, Kwame, Laila, Laura, Leila, Leo, Liam, Lucas, Lucy, Luis, Maria, Mariam, \
    Mateo, Matthew, Maya, Mehmet, Mia, Michael, Mohammed, Nadia, Naomi, Nikolai, Noah, Nora, \
    Olga, Oliver, Olivia, Omar, Oscar, Pablo, Patrick, Priya, Rachel, Rafael, Rahul, Ravi, \
    Rebecca, Rosa, Ruth, Samuel, Sara, Sean, Sofia, Sophie, Stefan, Susan, Tariq, Thomas, \
    Tomasz, Valentina, Victor, Wei, William, Yara, Yusuf, Zainab, Zoe
";

/// Comma-separated; a name may have spaces.
pub(super) const LAST_NAMES: &str = "\
    Abbott, Adeyemi, Ahmed, Ali, Allen, Andersen, Anderson, Baker, Bauer, Becker, Bennett, \
    Bianchi, Brown, Campbell, Carter, Castro, Chen, Clarke, Cohen, Collins, Costa, Cruz, Davies, \
    Dubois, Edwards, Evans, Fernandez, Fischer, Fitzgerald, Garcia, Gonzalez, Green, Gupta, \
    Haddad, Hall, Hansen, Harris, Hart, Hoffmann, Hughes, Ibrahim, Ivanova, Jackson, Jansen, \
    Johnson, Jones, Kaur, Khan, Kim, King, Kowalski, Kumar, Larsen, Laurent, Lee, Lewis, Lopez, \
    Mahmoud, Martin, Martinez, Mensah, Meyer, Miller, Moreau, Morris, Murphy, Nair, Nakamura, \
    Nguyen, Novak, O'Brien, O'Connor, Okafor, Olsen, Ortiz, Park, Patel, Petrov, Phillips, \
    Rahman, Reyes, Roberts, Robinson, Rossi, Russo, Sanchez, Santos, Schmidt, Schneider, Shah, \
    Silva, Singh, Smith, Sokolova, Suzuki, Tanaka, Taylor, Thomas, Thompson, Turner, \
    Van der Berg, Walker, Wang, Watson, Weber, Weiss, White, Williams, Wilson, Wong, Wright, \
    Yilmaz, Young, Zhang
";

pub(super) const BIO_OPENERS: &[&str] = &[
    "Consultant in",
    "Specialist in",
    "Senior practitioner in",
    "Board-certified doctor in",
    "Experienced clinician in",
    "Hospital-trained specialist in",
];

pub(super) const BIO_SENTENCES: &[&str] = &[
    "Explains test results in plain words and agrees a plan you can keep.",
    "Believes good care starts with listening, and leaves time for your questions.",
    "Sees adults and children, and offers follow-up by video when it suits you.",
    "Trained at a university hospital and teaches junior doctors alongside clinic work.",
    "Has a special interest in prevention and long-term conditions.",
    "Speaks three languages and is used to seeing patients from many backgrounds.",
    "Works closely with your GP so nothing falls between the cracks.",
    "Known for calm, thorough consultations and clear written summaries.",
    "Combines the latest evidence with practical advice for everyday life.",
    "Previously led a hospital department and now focuses on outpatient care.",
    "Takes a gentle approach with anxious patients and first visits.",
    "Publishes research on treatment outcomes and shares the findings with patients.",
];

pub(super) const NOTES: &[&str] = &[
    "Follow-up on recent blood test results.",
    "Second opinion requested.",
    "Symptoms for about two weeks.",
    "Referred by my GP.",
    "Would like to discuss medication side effects.",
    "Repeat prescription review.",
    "Please check the mole on my left shoulder.",
    "Annual check-up.",
    "Pain got worse after exercise.",
    "Bringing previous scan reports.",
];

pub(super) const POSITIVE_COMMENTS: &[&str] = &[
    "Very thorough and kind. Explained everything clearly.",
    "Listened carefully and didn't rush me at all.",
    "Excellent doctor, I felt in good hands.",
    "Quick diagnosis and the treatment worked within days.",
    "Friendly, professional and on time.",
    "Took my concerns seriously. Highly recommended.",
    "Great with my anxiety about the procedure.",
    "Clear advice and a useful written summary afterwards.",
];

pub(super) const MIXED_COMMENTS: &[&str] = &[
    "Competent, but the appointment felt a bit rushed.",
    "Good advice, although I waited twenty minutes.",
    "Helpful overall; I would have liked more explanation.",
    "Fine consultation, nothing special.",
];

pub(super) const NEGATIVE_COMMENTS: &[&str] = &[
    "Started late and seemed distracted.",
    "Did not really listen to what I said.",
    "I left with more questions than answers.",
    "Felt dismissive of my symptoms.",
];
