

module t_status(clock,reset,ev_ok,ev_crc,ev_framing,ev_overrun,ev_overflow,ev_duplicate,ev_refused,ev_inference,ev_word,index,value);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  ev_ok;
    input wire  ev_crc;
    input wire  ev_framing;
    input wire  ev_overrun;
    input wire  ev_overflow;
    input wire  ev_duplicate;
    input wire  ev_refused;
    input wire  ev_inference;
    input wire  ev_word;
    input wire  [4:0] index;
    output reg  [7:0] value;
    
    // Stub signals
    reg  [31:0] frames_ok$d;
    wire  [31:0] frames_ok$q;
    reg  frames_ok$clock;
    reg  [31:0] crc_errors$d;
    wire  [31:0] crc_errors$q;
    reg  crc_errors$clock;
    reg  [31:0] framing_errors$d;
    wire  [31:0] framing_errors$q;
    reg  framing_errors$clock;
    reg  [31:0] overruns$d;
    wire  [31:0] overruns$q;
    reg  overruns$clock;
    reg  [31:0] duplicates$d;
    wire  [31:0] duplicates$q;
    reg  duplicates$clock;
    reg  [31:0] refused$d;
    wire  [31:0] refused$q;
    reg  refused$clock;
    reg  [31:0] inferences$d;
    wire  [31:0] inferences$q;
    reg  inferences$clock;
    reg  [31:0] words$d;
    wire  [31:0] words$q;
    reg  words$clock;
    
    // Local signals
    reg  [31:0] word;
    
    // Sub module instances
    t_status$frames_ok frames_ok(
        .d(frames_ok$d),
        .q(frames_ok$q),
        .clock(frames_ok$clock)
    );
    t_status$crc_errors crc_errors(
        .d(crc_errors$d),
        .q(crc_errors$q),
        .clock(crc_errors$clock)
    );
    t_status$framing_errors framing_errors(
        .d(framing_errors$d),
        .q(framing_errors$q),
        .clock(framing_errors$clock)
    );
    t_status$overruns overruns(
        .d(overruns$d),
        .q(overruns$q),
        .clock(overruns$clock)
    );
    t_status$duplicates duplicates(
        .d(duplicates$d),
        .q(duplicates$q),
        .clock(duplicates$clock)
    );
    t_status$refused refused(
        .d(refused$d),
        .q(refused$q),
        .clock(refused$clock)
    );
    t_status$inferences inferences(
        .d(inferences$d),
        .q(inferences$q),
        .clock(inferences$clock)
    );
    t_status$words words(
        .d(words$d),
        .q(words$q),
        .clock(words$clock)
    );
    
    // Update code
    always @(*) begin
        frames_ok$clock = clock;
        crc_errors$clock = clock;
        framing_errors$clock = clock;
        overruns$clock = clock;
        duplicates$clock = clock;
        refused$clock = clock;
        inferences$clock = clock;
        words$clock = clock;
        frames_ok$d = frames_ok$q;
        crc_errors$d = crc_errors$q;
        framing_errors$d = framing_errors$q;
        overruns$d = overruns$q;
        duplicates$d = duplicates$q;
        refused$d = refused$q;
        inferences$d = inferences$q;
        words$d = words$q;
        if (ev_ok) begin
            frames_ok$d = frames_ok$q + 32'h1;
        end
        if (ev_crc) begin
            crc_errors$d = crc_errors$q + 32'h1;
        end
        if (ev_framing) begin
            framing_errors$d = framing_errors$q + 32'h1;
        end
        overruns$d = overruns$q + ((ev_overrun) & 32'hffffffff) + ((ev_overflow) & 32'hffffffff);
        if (ev_duplicate) begin
            duplicates$d = duplicates$q + 32'h1;
        end
        if (ev_refused) begin
            refused$d = refused$q + 32'h1;
        end
        if (ev_inference) begin
            inferences$d = inferences$q + 32'h1;
        end
        if (ev_word) begin
            words$d = words$q + 32'h1;
        end
        case (index[(32'h2)+:(3)])
            0:
                begin
                    word = frames_ok$q;
                end
            1:
                begin
                    word = crc_errors$q;
                end
            2:
                begin
                    word = framing_errors$q;
                end
            3:
                begin
                    word = overruns$q;
                end
            4:
                begin
                    word = duplicates$q;
                end
            5:
                begin
                    word = refused$q;
                end
            6:
                begin
                    word = inferences$q;
                end
            default:
                begin
                    word = words$q;
                end
        endcase
        case (index[(32'h0)+:(2)])
            0:
                begin
                    value = word[(32'h0)+:(8)];
                end
            1:
                begin
                    value = word[(32'h8)+:(8)];
                end
            2:
                begin
                    value = word[(32'h10)+:(8)];
                end
            default:
                begin
                    value = word[(32'h18)+:(8)];
                end
        endcase
        if (reset) begin
            frames_ok$d = 32'h0;
            crc_errors$d = 32'h0;
            framing_errors$d = 32'h0;
            overruns$d = 32'h0;
            duplicates$d = 32'h0;
            refused$d = 32'h0;
            inferences$d = 32'h0;
            words$d = 32'h0;
        end
    end
    
endmodule // t_status


module t_status$crc_errors(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$crc_errors


module t_status$duplicates(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$duplicates


module t_status$frames_ok(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$frames_ok


module t_status$framing_errors(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$framing_errors


module t_status$inferences(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$inferences


module t_status$overruns(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$overruns


module t_status$refused(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$refused


module t_status$words(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$words
